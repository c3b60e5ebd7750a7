<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Backend\Model\View\Result;

/**
 * Test stand-in for Magento's admin redirect result factory (tests mock it).
 */
class RedirectFactory
{
    /**
     * Create a redirect result.
     *
     * @param array $data
     * @return Redirect
     */
    public function create(array $data = [])
    {
        return new Redirect();
    }
}
