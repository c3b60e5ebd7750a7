<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Backend\Model\View\Result;

/**
 * Test stand-in for Magento's admin redirect result (the method this module uses; tests mock it).
 */
class Redirect
{
    /**
     * Set the admin route path and parameters to redirect to.
     *
     * @param string $path
     * @param array $params
     * @return $this
     */
    public function setPath($path, array $params = [])
    {
        return $this;
    }
}
