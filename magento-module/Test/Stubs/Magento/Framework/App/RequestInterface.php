<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\App;

/**
 * Test stand-in for Magento's request (the methods this module uses).
 */
interface RequestInterface
{
    /**
     * Return a request parameter.
     *
     * @param string $key
     * @param mixed $defaultValue
     * @return mixed
     */
    public function getParam($key, $defaultValue = null);

    /**
     * Return the action name.
     *
     * @return string
     */
    public function getActionName();
}
