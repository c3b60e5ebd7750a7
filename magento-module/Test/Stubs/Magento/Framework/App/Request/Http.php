<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\App\Request;

use Magento\Framework\App\RequestInterface;

/**
 * Test stand-in for Magento's HTTP request: the route getters this module reads (tests mock it).
 */
class Http implements RequestInterface
{
    /**
     * Return a request parameter.
     *
     * @param string $key
     * @param mixed $default
     * @return mixed
     */
    public function getParam($key, $default = null)
    {
        return $default;
    }

    /**
     * Return the action name.
     *
     * @return string
     */
    public function getActionName()
    {
        return '';
    }

    /**
     * Return the route name (the route's id in routes.xml).
     *
     * @return string
     */
    public function getRouteName()
    {
        return '';
    }

    /**
     * Return the controller name.
     *
     * @return string
     */
    public function getControllerName()
    {
        return '';
    }
}
